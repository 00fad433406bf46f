"""The course notes' binary classifier, written for Keras 2, run on cornu:

    cornu run examples/breast_cancer_mlp.py

Data: scikit-learn's breast-cancer set (ships with scikit-learn, no download).
"""
from keras import optimizers
from keras.layers import Dense
from keras.models import Sequential
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

whole_data = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(whole_data.data, whole_data.target,
                                                    test_size=0.3, random_state=7)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

model = Sequential()
model.add(Dense(10, input_shape=(30,), activation='sigmoid'))
model.add(Dense(10, activation='sigmoid'))
model.add(Dense(10, activation='sigmoid'))
model.add(Dense(1, activation='sigmoid'))

sgd = optimizers.SGD(lr=0.1)  # Keras 2 spelling of learning_rate
model.compile(optimizer=sgd, loss='binary_crossentropy', metrics=['accuracy'])
model.summary()
model.fit(X_train, y_train, batch_size=50, epochs=100, verbose=2, validation_split=0.1)

results = model.evaluate(X_test, y_test)
print(model.metrics_names)
print(results)
